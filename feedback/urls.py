from django.urls import path

from feedback.views import board, board_actions, candidates, inbox, notifications, threads, widgets

app_name = "feedback"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path(hub, widgets.hub_detail, name="hub"),
    path(f"{hub}widgets/<uuid:widget_id>/", widgets.widget_detail, name="widget"),
    path(f"{hub}widgets/<uuid:widget_id>/annotations/", widgets.annotation_create, name="annotate"),
    path(f"{hub}annotations/<uuid:annotation_id>/retract/", threads.annotation_retract, name="retract"),
    path(f"{hub}annotations/<uuid:annotation_id>/thread/", threads.thread_open, name="thread-open"),
    path(f"{hub}threads/<uuid:thread_id>/", threads.thread_detail, name="thread"),
    path(f"{hub}threads/<uuid:thread_id>/move/", threads.thread_move, name="thread-move"),
    path(f"{hub}escalate/<str:source>/<uuid:source_id>/", candidates.escalate, name="escalate"),
    path(f"{hub}board/", board.board, name="board"),
    path(f"{hub}board/bulk/", board_actions.bulk, name="board-bulk"),
    path(f"{hub}board/widget-names/", board.widget_names, name="board-widget-names"),
    path(f"{hub}board/views/", board_actions.saved_view_create, name="board-view-save"),
    path(
        f"{hub}board/views/<uuid:view_id>/delete/", board_actions.saved_view_delete, name="board-view-delete"
    ),
    path(f"{hub}candidates/search/", board.duplicate_search, name="candidate-search"),
    path(f"{hub}candidates/<uuid:candidate_id>/", candidates.candidate_detail, name="candidate"),
    path(
        f"{hub}candidates/<uuid:candidate_id>/actions/",
        board_actions.candidate_actions,
        name="candidate-actions",
    ),
    path(f"{hub}candidates/<uuid:candidate_id>/transition/", board.transition, name="transition"),
    path(f"{hub}candidates/<uuid:candidate_id>/assign/", board.assign, name="assign"),
    path(f"{hub}notifications/", notifications.hub_mute, name="hub-mute"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_read, name="inbox-read"),
    path("n/<str:token>/", notifications.notification_open, name="notification-open"),
    path("n/<str:token>/mute/", notifications.notification_mute, name="notification-mute"),
]
