"""Monthly collaborator briefings (giao ban cộng tác viên) held by a commune."""
