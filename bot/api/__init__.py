"""HTTP surfaces of the app, one router each."""
