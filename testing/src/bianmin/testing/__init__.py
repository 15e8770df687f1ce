"""What the services' tests share: a real nats-server, migrated databases, and identity headers."""
