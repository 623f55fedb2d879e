"""Re-checks of registry data (kiểm tra, phúc tra; Decision 3978/QĐ-BYT): samples, the re-checker's
temporary access, results and their follow-up."""
