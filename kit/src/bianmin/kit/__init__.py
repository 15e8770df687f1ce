"""The building blocks every Bianmin service shares; small and boring on purpose."""
