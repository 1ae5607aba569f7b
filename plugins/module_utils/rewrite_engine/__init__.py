"""The URL Rewrite engine: evaluates URL Rewrite 2.1 inbound rules against a request, on the controller.

Standard library only (plus the collection's module_utils). ``evaluate.RuleSet`` and ``evaluate.evaluate``
are the entry points; docs/rewrite-engine.md describes the input shape and cites, behaviour by behaviour,
Microsoft's documentation the engine follows.
"""
