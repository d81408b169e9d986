"""Operations endpoints outside /api/v1."""
