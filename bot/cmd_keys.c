/* cmd_keys.c -- `dvcbot keys create`. (stub: [domain]) */
#include <stdio.h>

#include "bot/commands.h"

int cmd_keys(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "dvcbot keys: not implemented yet\n");
    return 1;
}
