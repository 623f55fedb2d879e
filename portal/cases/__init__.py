"""Case management for children facing violence, abuse or neglect (Decree 56/2017/NĐ-CP, Chapter III)."""
