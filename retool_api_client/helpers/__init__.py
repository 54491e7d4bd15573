"""Hand-written endpoint helpers, mixed into the generated namespaces.

A module here named after a namespace (``users.py`` for ``retool.users``) that defines
``<Namespace>Helpers`` (``UsersHelpers``) becomes a base class of that namespace when the SDK is
regenerated: ``retool.users.find_by_email(...)`` sits beside the generated
``retool.users.list(...)``, and regeneration never touches this folder. A helper calls the
generated methods through ``self``; it is typed by a ``Protocol`` of what it calls, so it needs
no import of generated code, and mypy infers the models from the namespace it is mixed into.
A helper may not reuse a generated method's name (the regeneration stops and says so), and a
new operation's derived name never takes a helper's.
"""
