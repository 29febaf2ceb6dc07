/* cmd_catalogue.c -- `dvcbot catalogue import FILE`. (stub: [domain]) */
#include <stdio.h>

#include "bot/commands.h"

int cmd_catalogue(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "dvcbot catalogue: not implemented yet\n");
    return 1;
}
