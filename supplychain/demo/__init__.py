"""The ready-made demo network: a whole consortium on one machine, with a short history and
sample packs for every verdict. It sits above the node, interchange and sync layers it drives."""
