/* cmd-check.c - `ktcon check FILE...`: lint recipes without booting. */
#include "tui/cmd.h"

#include <stdio.h>
#include <string.h>

#include "engine/lint.h"
#include "engine/recipe.h"
#include "tui/con-replay.h"

static int cmd_check_exec(int argc, char **argv)
{
	int status = KTCMD_OK;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: ktcon check FILE...\n"
			"Parse each recipe and check every op's rules without booting a guest;\n"
			"print every error as FILE:LINE:COL with the text and what to write.\n");
		return argc < 2 ? KTCMD_USAGE : KTCMD_OK;
	}
	for (int i = 1; i < argc; i++) {
		struct kt_recipe *r;
		struct kterr *e = kt_recipe_load(argv[i], &r);

		if (e) {
			char buf[1024];

			fprintf(stderr, "ktcon check: %s\n", kterr_str(e, buf, sizeof(buf)));
			kterr_free(e);
			status = KTCMD_FAIL;
			continue;
		}
		kt_recipe_lint(r);
		kt_recipe_print_diags(r, stderr);
		if (r->ndiags) {
			fprintf(stderr, "%s: %zu error%s\n", argv[i], kt_recipe_nerrors(r),
				kt_recipe_nerrors(r) > 1 ? "s" : "");
			status = KTCMD_FAIL;
		} else {
			size_t header, apply = con_replay_count(r, &header);

			/* The console's replay counts the second number. */
			printf("%s: ok (%zu statements: %zu header line%s, %zu to apply%s)\n",
			       argv[i], r->nstmts, header, header == 1 ? "" : "s", apply,
			       header + apply < r->nstmts ?
			       ", an op and its expect error as one" : "");
		}
		kt_recipe_free(r);
	}
	return status;
}

const struct ktcmd_entry ktcmd_check_entry = {
	.name = "check",
	.usage = "check FILE...",
	.summary = "lint recipes without booting a guest",
	.exec = cmd_check_exec,
};
