# guest/: the agent that runs as PID 1 in the guest, and the kernel fragment.
dist_pkgdata_DATA += guest/kernel.config
