"""Vietnam's working days: statutory holidays and the government's yearly decisions (migration 0030)."""
