/* job.h - a run described by a manifest: config from the manifest model, report from the result. */
#ifndef VMLET_JOB_H
#define VMLET_JOB_H

#include <stdio.h>

#include "../manifest/manifest.h"
#include "options.h"

/*
 * Load and check o->manifest into *m, fill o->config from it (job_config) and
 * check that as the run will (job_config_check); then open stdio given a host
 * path. Returns 0, or -errno with a one-line message.
 */
int job_from_manifest(struct cli_options *o, struct vmlet_manifest *m, char *msg, size_t msglen);

/* Write the JSON report of a finished run to f (see src/manifest/report_file.h for where f is). 0 or -errno. */
int job_write_report(FILE *f, const struct vmlet_config *c, const struct vmlet_result *res);

#endif
