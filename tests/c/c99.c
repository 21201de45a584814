/* The header as a C99 program sees it: compiled as C, calling the library as C does. */
#include <rcplan/c.h>

#include <stddef.h>
#include <string.h>

/* 0 when a CLUSTER NODES line parses and a garbled one is refused with an error document;
 * the step that failed otherwise. */
int rcplan_c99_smoke(void) {
  char* out = NULL;
  const char* line =
      "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 myself,master - 0 0 1 connected 0-16383\n";
  if (rcplan_abi_version() != RCPLAN_ABI_VERSION) return 1;
  if (rcplan_parse_cluster_nodes(line, &out) != RCPLAN_OK || out == NULL) return 2;
  if (strstr(out, "07c37dfeb235213a872192d90877d0cd55635b91") == NULL) return 3;
  rcplan_free(out);
  out = NULL;
  if (rcplan_parse_cluster_nodes("garbled", &out) != RCPLAN_INVALID_INPUT || out == NULL) return 4;
  if (strstr(out, "\"error\"") == NULL) return 5;
  rcplan_free(out);
  rcplan_free(NULL);
  return 0;
}
