"""HTTP face of the portal: blueprints by audience, error pages, security headers."""
