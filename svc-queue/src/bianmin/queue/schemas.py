"""Request and response models of the queue service's API."""
