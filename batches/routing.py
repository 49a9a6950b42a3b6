"""The teacher's live channel (WebSocket routes, mounted by ``huleedu.asgi``)."""

from django.urls import path

from batches.consumers import TeacherConsumer

websocket_urlpatterns = [
    path("ws/teacher/", TeacherConsumer.as_asgi()),
]
