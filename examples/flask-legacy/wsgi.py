from library import create_app

app = create_app()
