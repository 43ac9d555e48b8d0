# The public HTTPS load balancer: the API on the default route, the WebSocket path on its own
# backend service — whose timeout_sec was left at its default.

resource "google_compute_backend_service" "api" {
  name        = "chat-api"
  protocol    = "HTTP"
  timeout_sec = 30
  health_checks = [google_compute_health_check.api.id]
}

resource "google_compute_backend_service" "websocket" {
  name          = "chat-websocket"
  protocol      = "HTTP"
  health_checks = [google_compute_health_check.api.id]
}

resource "google_compute_health_check" "api" {
  name               = "chat-api"
  check_interval_sec = 10
  timeout_sec        = 5

  http_health_check {
    request_path = "/health/live"
    port         = 8000
  }
}

resource "google_compute_url_map" "chat" {
  name            = "chat"
  default_service = google_compute_backend_service.api.id

  host_rule {
    hosts        = ["chat.example.com"]
    path_matcher = "chat"
  }

  path_matcher {
    name            = "chat"
    default_service = google_compute_backend_service.api.id

    path_rule {
      paths   = ["/chat/ws"]
      service = google_compute_backend_service.websocket.id
    }
  }
}

resource "google_compute_target_https_proxy" "chat" {
  name             = "chat"
  url_map          = google_compute_url_map.chat.id
  ssl_certificates = [var.certificate]
}

variable "certificate" {
  type = string
}
