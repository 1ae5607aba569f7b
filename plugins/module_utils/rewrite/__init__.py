"""URL Rewrite 2.1 rule model, validation and planning (winflask.iis.rewrite_rule*, server_variable*)."""
