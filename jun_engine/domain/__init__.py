"""Domain objects shared by every stage: plain, frozen, and free of any channel's types."""
