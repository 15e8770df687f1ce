"""Request and response models of the credit service's API."""
