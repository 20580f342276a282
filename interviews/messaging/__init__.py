"""Messages to candidates: safe templates written by HR and calendar invitations."""
