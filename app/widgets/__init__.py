"""Small shared widgets, layout helpers, colours and styles: the app's look in one place."""
