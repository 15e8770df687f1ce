"""Bianmin catalog: Service items (政务服务事项), sites and the service map, applications (办件) and policy redemption."""
