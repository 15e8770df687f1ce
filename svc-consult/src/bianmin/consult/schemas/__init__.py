"""Request and response models of the consult service's API, one module per area."""
