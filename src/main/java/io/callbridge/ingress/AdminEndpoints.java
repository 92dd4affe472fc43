package io.callbridge.ingress;

import io.vertx.ext.web.Router;

/**
 * A capability's admin API. Mounted under {@code /admin/} on the admin port, behind the admin
 * token check; {@code router} is the admin router (paths are absolute, e.g. {@code /admin/calls/:id}).
 */
@FunctionalInterface
public interface AdminEndpoints {
  void mount(Router router);
}
