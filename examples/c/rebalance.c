/* Plan a rebalance from one node's CLUSTER NODES output through the C ABI (C99). */
#include <rcplan/c.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  static char text[1 << 20];
  FILE* f = argc > 1 ? fopen(argv[1], "r") : NULL;
  if (f == NULL) return 2;
  text[fread(text, 1, sizeof text - 1, f)] = '\0';
  fclose(f);

  char* view = NULL;
  char* plan = NULL;
  if (rcplan_parse_cluster_nodes(text, &view) != RCPLAN_OK) return fprintf(stderr, "%s\n", view), 1;
  char* topology = malloc(strlen(view) + 16);
  sprintf(topology, "{\"views\": [%s]}", view);  /* rcplan's topology: here, one view */
  rcplan_status s = rcplan_plan_rebalance(topology, "{\"use_empty_masters\": true}", &plan);
  puts(plan);  /* the plan, or {"error": {"id", "message", "path"}} */
  rcplan_free(view);
  rcplan_free(plan);
  free(topology);
  return s == RCPLAN_OK ? 0 : 1;
}
