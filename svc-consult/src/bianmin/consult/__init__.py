"""Bianmin consult: Online consultation (e问通) with routing and deadlines, the knowledge base, and the suggestion box."""
