"""Request and response models of the catalog service's API, one module per area."""
