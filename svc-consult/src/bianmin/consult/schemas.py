"""Request and response models of the consult service's API."""
