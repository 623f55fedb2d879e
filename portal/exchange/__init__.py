"""Exchange of approved report figures with DHIS2: the code mapping, dataValueSets JSON and ADX XML."""
