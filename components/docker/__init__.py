"""Components that run on the developer's Docker engine (the ``local`` phase)."""

from components.docker.app_container import AppContainer, AppContainerArgs, HttpHealthCheck
from components.docker.container_image import ContainerImage, ContainerImageArgs
from components.docker.mongo_database import MongoDatabase, MongoDatabaseArgs

__all__ = [
    "AppContainer",
    "AppContainerArgs",
    "ContainerImage",
    "ContainerImageArgs",
    "HttpHealthCheck",
    "MongoDatabase",
    "MongoDatabaseArgs",
]
