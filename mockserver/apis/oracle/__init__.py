"""Oracle Fusion Cloud SCM: Maintenance meter readings."""

from mockserver.apis.oracle import tables
from mockserver.apis.oracle.errors import OracleErrors
from mockserver.apis.oracle.fixtures import OracleFixtures
from mockserver.apis.oracle.handlers import OracleHandlers
from mockserver.vendor_api import VendorApi

API = VendorApi(
    id="oracle",
    spec_file="oracle-meter-readings.yaml",
    tables=tables.ALL,
    errors=OracleErrors(),
    fixtures=OracleFixtures(),
    make_handlers=OracleHandlers,
)
