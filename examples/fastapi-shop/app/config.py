from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://app:CHANGE_ME@localhost/shop"
    sql_echo: bool = False
    password_reset_ttl_minutes: int = 15
    system_user_id: int = 1


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
