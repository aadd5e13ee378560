/*
 * tsc.h - the host's TSC frequency, given to the guest as tsc_early_khz=.
 *
 * Under TCG the guest's TSC follows the host's, and a guest that has to
 * calibrate it against an emulated PIT under multi-threaded TCG sometimes
 * fails ("tsc: could not calculate TSC khz"), marks the TSC unstable, and
 * then hits an Oops in text patching. Telling it the frequency avoids the
 * calibration altogether.
 */
#ifndef KTCON_VMM_TSC_H
#define KTCON_VMM_TSC_H

/* kHz, measured once per process (about 50 ms) and cached. */
unsigned long tsc_host_khz(void);

#endif
