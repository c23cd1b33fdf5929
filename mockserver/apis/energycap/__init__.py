"""EnergyCAP: interval readings import and read-back."""

from mockserver.apis.energycap import tables, version_edit
from mockserver.apis.energycap.errors import EnergyCapErrors
from mockserver.apis.energycap.fixtures import EnergyCapFixtures
from mockserver.apis.energycap.handlers import EnergyCapHandlers
from mockserver.vendor_api import VendorApi

API = VendorApi(
    spec_file="energycap-readings.yaml",
    tables=tables.ALL,
    errors=EnergyCapErrors(),
    fixtures=EnergyCapFixtures(),
    outcomes=version_edit._OUTCOMES,
    make_handlers=EnergyCapHandlers,
)
