"""The portal: domain services by context, the API and the pages.

Importing it registers the portal's records with the unit tree's reorganisations, so whichever
process applies one (web, worker, script) moves them along.
"""

from portal.reorganisation import PortalRecords
from tenancy.reorg import keep_records

keep_records(PortalRecords())
