{
  "targets": [
    {
      "target_name": "retrievals_onednn",
      "sources": [
        "native/addon.cc",
        "native/plan.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/layout.cc",
        "native/indexing.cc",
        "native/matmul.cc",
        "native/fused.cc",
        "native/softmax.cc",
        "native/layer-norm.cc",
        "native/adamw.cc",
        "native/gelu-grad.cc",
        "native/rows.cc",
        "native/buffer-pool.cc",
        "native/resident.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-mprefer-vector-width=512", "-fopenmp", "-fno-math-errno"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
