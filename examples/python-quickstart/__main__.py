"""The quickstart in Python: a DEV sales pipeline declared in code.

- the load and aggregate configurations must be active (Tailer Studio changes show up as drift);
- a legacy export must stay disabled;
- the load job runs once per release of its code (change quickstart:release to run it again);
- the load's last successful run is read back from the API (get_last_status).
"""

import pulumi
import pulumi_tailer as tailer

config = pulumi.Config("quickstart")
release = config.get("release") or "2026.11.1"

ACCOUNT = "000099"  # a string: numbers lose leading zeros
DEV = tailer.Environment.DEV
TABLE_TO_TABLE = tailer.ConfigurationType.TABLE_TO_TABLE

load = tailer.ConfigurationStatus(
    "sales-load",
    account=ACCOUNT,
    environment=DEV,
    configuration_type=TABLE_TO_TABLE,
    configuration_id="000099_sales_load",
    append_environment_suffix=True,  # table-to-table ids carry the environment: 000099_sales_load_DEV
    activated=True,
)

aggregate = tailer.ConfigurationStatus(
    "sales-aggregate",
    account=ACCOUNT,
    environment=DEV,
    configuration_type=TABLE_TO_TABLE,
    configuration_id="000099_sales_aggregate_DEV",
    activated=True,
    on_delete=tailer.OnDelete.DISABLE,  # pulumi destroy disables it rather than leaving it running
)

tailer.ConfigurationStatus(
    "sales-export",
    account=ACCOUNT,
    environment=DEV,
    configuration_type=tailer.ConfigurationType.TABLE_TO_STORAGE,
    configuration_id="000099_sales_export",
    activated=False,
)

load_run = tailer.JobRun(
    "sales-load-run",
    account=ACCOUNT,
    environment=DEV,
    configuration_type=TABLE_TO_TABLE,
    configuration_id=load.configuration_id,
    triggers={"release": release},
    timeout_seconds=600,
    opts=pulumi.ResourceOptions(depends_on=[load, aggregate]),  # activate first, then run
)

# Read once the run is over (its configuration_id is an output of the run): the run above.
last_success = tailer.get_last_status_output(
    account=ACCOUNT,
    environment=DEV,
    configuration_type=TABLE_TO_TABLE,
    configuration_id=load_run.configuration_id,
    status=tailer.RunStatus.SUCCESS,
    limit=1,
)

pulumi.export("load_run_id", load_run.run_id)
pulumi.export("load_run_status", load_run.status)
pulumi.export("load_run_duration", load_run.duration)
pulumi.export("last_success_run_id", last_success.last_run.apply(lambda run: run.run_id if run else None))
