"""The gateway's own routes, one module per concern; the catch-all proxy route comes last."""
