package frontend

import "github.com/gin-gonic/gin"

// adminRoutes registers the administration pages (users, regions, border posts, break-glass).
func (f *Frontend) adminRoutes(r gin.IRouter) {}
