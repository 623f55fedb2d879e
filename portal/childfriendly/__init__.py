"""Child-friendly commune assessment (Decision 06/QĐ-TTg of 3 January 2019): criteria as data,
pre-filled evidence, the commune's self-assessment, review and recognition by the level above."""
