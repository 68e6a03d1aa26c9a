/* Not checked: a TU that believes demo_norm takes two ints (hazard 3). */
int demo_norm(int x, int y);
int lie(void) { return demo_norm(1, 2); }
