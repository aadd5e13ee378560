#!/usr/bin/env python3
"""Check a layout.recipe run's results (tests/integration/kernel73.int):
prints the snapshot's layout as 'name where' lines on stdout, fails (exit 1)
naming what is wrong."""
import json, sys

rec = json.load(open(sys.argv[1]))[0]["results"]
caps = {}
for st in rec["statements"]:
    words = st["statement"].split()
    if words[0] in ("capture-snapshot", "capture-cgroup-procs"):
        caps[words[1]] = st.get("captured")
snap, procs = caps.get("s1"), caps.get("busyprocs")
if not isinstance(snap, dict) or not isinstance(procs, list):
    sys.exit("layout-check: no capture s1 or busyprocs in the results: %s" % caps)
pids = set(procs)
# At one instant a CPU may run the agent or scx_simple's process: a worker
# on some CPU in one of the snapshots taken in a row.
seen = []
for name in ("s1", "s2", "s3", "s4"):
    sn = caps.get(name)
    if not isinstance(sn, dict):
        sys.exit("layout-check: no capture %s in the results" % name)
    seen.append([(r.get("curr.pid"), r.get("curr.comm")) for r in sn["runqueues"]])
if not any(pid in pids and str(comm).startswith("kt-w:") for s in seen for pid, comm in s):
    sys.exit("layout-check: no CPU's rq->curr is a busy worker in 4 snapshots: read %s, workers %s" % (seen, sorted(pids)))
scx = snap["sched_ext"]
if scx.get("ops") != "simple":
    sys.exit("layout-check: sched_ext ops read as %r, not 'simple'" % scx.get("ops"))
for k, v in sorted(scx["layout"].items()):
    print(k, v)
