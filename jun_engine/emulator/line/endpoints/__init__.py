"""The LINE endpoints, one module per family: messages, rich menus, account, content, audiences."""
