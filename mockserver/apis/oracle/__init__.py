"""Oracle Fusion Cloud SCM: Maintenance meter readings."""

from mockserver.apis.oracle import rules, tables
from mockserver.apis.oracle.errors import OracleErrors
from mockserver.apis.oracle.fixtures import OracleFixtures
from mockserver.apis.oracle.handlers import OracleHandlers
from mockserver.apis.oracle.view import readings_view
from mockserver.vendor_api import VendorApi

API = VendorApi(
    spec_file="oracle-meter-readings.yaml",
    tables=tables.ALL,
    errors=OracleErrors(),
    fixtures=OracleFixtures(),
    outcomes=rules._OUTCOMES,
    make_handlers=OracleHandlers,
    view=readings_view,
)
