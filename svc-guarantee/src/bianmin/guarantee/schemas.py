"""Request and response models of the guarantee service's API."""
