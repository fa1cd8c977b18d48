# Assembles the served site (build/wasm/site) from the linked client, in script mode:
#   cmake -DSTAGE_DIR=<folder with moim.js + moim.wasm> -DSOURCE_DIR=<repository> -DSITE_DIR=<site>
#         -DBROTLI=<brotli> -DGZIP=<gzip> -DNODE=<node> -P cmake/site_assets.cmake
#
#  0. The glue's role files (web/glue/*.js, and page_text.js the build makes from the catalog, in
#     GLUE_FILES' order) are joined into one script,
#     STAGE_DIR/moim-glue.js, inside one function: one request for the page instead of one per role,
#     and no glue name becomes a global by accident. Checked with `node --check` when it changes.
#  1. moim.wasm, moim.js and moim-glue.js are copied under content-hashed names,
#     <stem>.<first 8 hex of sha256>.<ext>, so the server can let browsers cache them for a year;
#     older hashed copies and any un-hashed leftovers are removed.
#  2. index.html (the source one is never touched) gets the hashed script names, a
#     <meta name="moim-wasm" content="moim.<hash>.wasm"> that the glue reads, and a preload of
#     that wasm (its download starts with the scripts'; the glue compiles it).
#  3. Every compressible file over 1 KB gets <file>.br (brotli -q 11) and <file>.gz (gzip -9 -n) next to
#     it, remade when the file is newer; a sibling that is not smaller than its file is dropped, and
#     siblings whose file is gone are removed. The server (server/static_files.cpp) sends them to
#     clients that accept the coding.
#
# Run after every build by the moim_site target and after every link of moim (wasm/CMakeLists.txt);
# it only rewrites what changed, so a no-op run costs a few milliseconds.
cmake_minimum_required(VERSION 3.20)

foreach(var STAGE_DIR SOURCE_DIR SITE_DIR BROTLI GZIP NODE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "site_assets.cmake: -D${var}=... is required")
  endif()
endforeach()

set(MIN_COMPRESS_BYTES 1025)  # "over 1 KB"
set(COMPRESSIBLE_EXTENSIONS .html .htm .css .js .mjs .json .map .wasm .svg .txt .xml .ico .ttf .otf)

file(MAKE_DIRECTORY "${SITE_DIR}")

function(copy_if_different src dst)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${src}" "${dst}" RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "site_assets.cmake: cannot copy ${src} to ${dst}")
  endif()
endfunction()

# Copies `src` to SITE_DIR/<stem>.<hash8>.<ext>, removes other hashed copies of the same stem (and
# their .br/.gz) and the un-hashed <stem>.<ext>; sets `out_var` to the new file name.
# `out_var` = the file's text, or "" when there is none yet (what a write compares against).
function(read_or_empty path out_var)
  set(text "")
  if(EXISTS "${path}")
    file(READ "${path}" text)
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

function(hashed_copy src stem ext out_var)
  if(NOT EXISTS "${src}")
    message(FATAL_ERROR "site_assets.cmake: ${src} is missing")
  endif()
  file(SHA256 "${src}" sum)
  string(SUBSTRING "${sum}" 0 8 hash)
  set(name "${stem}.${hash}.${ext}")
  copy_if_different("${src}" "${SITE_DIR}/${name}")
  file(GLOB olds "${SITE_DIR}/${stem}.????????.${ext}" "${SITE_DIR}/${stem}.????????.${ext}.br"
                 "${SITE_DIR}/${stem}.????????.${ext}.gz")
  foreach(old IN LISTS olds)
    get_filename_component(old_name "${old}" NAME)
    if(NOT old_name MATCHES "^${stem}\\.${hash}\\.${ext}(\\.br|\\.gz)?$")
      file(REMOVE "${old}")
    endif()
  endforeach()
  file(REMOVE "${SITE_DIR}/${stem}.${ext}" "${SITE_DIR}/${stem}.${ext}.br" "${SITE_DIR}/${stem}.${ext}.gz")
  set(${out_var} "${name}" PARENT_SCOPE)
endfunction()

# Replaces the one occurrence of `from` in the variable `text_var`; fails loudly when there is not
# exactly one, so an edit of index.html cannot silently leave an un-hashed name behind.
function(replace_once text_var from to)
  string(FIND "${${text_var}}" "${from}" first)
  string(FIND "${${text_var}}" "${from}" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    message(FATAL_ERROR "site_assets.cmake: index.html must contain '${from}' exactly once")
  endif()
  string(REPLACE "${from}" "${to}" result "${${text_var}}")
  set(${text_var} "${result}" PARENT_SCOPE)
endfunction()

# ---- 0. the glue, one script from its role files -------------------------------------------------------
# base.js first (what the others use); then the roles, each its own function over base.js's `glue`,
# which look each other up only when called, so their order here is only the order of reading.
set(GLUE_FILES
  base.js             # handles, callApp, guard, expose; window.MoimGlue
  page_text.js        # the page's own words from the catalog (made by the build in STAGE_DIR; before page_language.js)
  page_language.js    # navigator.language for C++, the page's lang and its own words in C++'s language
  page_loading.js     # the wasm fetched and compiled early, the WebGL context, Module, the fatal screen
  media_devices.js    # getUserMedia with C++'s constraints; streams by handle
  peer_connections.js # RTCPeerConnection by handle, with C++'s configuration and SDP layout
  media_feeds.js      # a large room's subscription: one person's tracks as a feed of its own
  file_transfers.js   # file picker and drops; a transfer's bytes on its own data channel, hashed
  video_frames.js     # video handles: frames to WebGL uploads, sound through <video>
  video_frame_worker.js  # the worker that copies frames out of the track (runs off the page)
  text_overlay.js     # the <input> over the focused canvas field (IME, paste)
  storage.js          # localStorage settings, the client id
  page_address.js     # the URL: invite fragment, history, Back / Forward, the WebSocket's address
  clipboard.js        # copying the invite link
  test_surface.js     # window.app: state(), widgets(), metrics()
)
# Made by the build, not in web/glue/: wasm/tools/page_text.cpp writes it into STAGE_DIR.
set(GENERATED_GLUE page_text.js)
file(GLOB glue_present RELATIVE "${SOURCE_DIR}/web/glue" "${SOURCE_DIR}/web/glue/*.js")
foreach(name IN LISTS glue_present)
  if(NOT name IN_LIST GLUE_FILES)
    message(FATAL_ERROR "site_assets.cmake: web/glue/${name} is not in GLUE_FILES (add it where it belongs)")
  endif()
endforeach()
set(glue "// moim-glue.js: made by cmake/site_assets.cmake from web/glue/*.js; edit those, not this.\n")
string(APPEND glue "(function () {\n'use strict';\n")
foreach(name IN LISTS GLUE_FILES)
  set(path "${SOURCE_DIR}/web/glue/${name}")
  if(name IN_LIST GENERATED_GLUE)
    set(path "${STAGE_DIR}/${name}")
  endif()
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "site_assets.cmake: ${path} is missing")
  endif()
  file(READ "${path}" text)
  string(APPEND glue "\n// ==== web/glue/${name}\n${text}")
endforeach()
string(APPEND glue "})();\n")
read_or_empty("${STAGE_DIR}/moim-glue.js" old_glue)
if(NOT old_glue STREQUAL glue)
  file(WRITE "${STAGE_DIR}/moim-glue.next.js" "${glue}")
  execute_process(COMMAND "${NODE}" --check "${STAGE_DIR}/moim-glue.next.js" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "site_assets.cmake: the joined glue does not parse:\n${err}")
  endif()
  file(RENAME "${STAGE_DIR}/moim-glue.next.js" "${STAGE_DIR}/moim-glue.js")
endif()

# ---- 1. hashed copies ------------------------------------------------------------------------------
hashed_copy("${STAGE_DIR}/moim.wasm" moim wasm WASM_NAME)
hashed_copy("${STAGE_DIR}/moim.js" moim js JS_NAME)
hashed_copy("${STAGE_DIR}/moim-glue.js" moim-glue js GLUE_NAME)
copy_if_different("${SOURCE_DIR}/web/moim.css" "${SITE_DIR}/moim.css")  # keeps its name (served with an ETag)

# ---- 2. index.html -----------------------------------------------------------------------------------
file(READ "${SOURCE_DIR}/index.html" html)
replace_once(html "src=\"moim-glue.js\"" "src=\"${GLUE_NAME}\"")
replace_once(html "src=\"moim.js\"" "src=\"${JS_NAME}\"")
# The wasm is fetched with the scripts, not after them (the glue compiles it from this response).
replace_once(html "</head>" "  <meta name=\"moim-wasm\" content=\"${WASM_NAME}\">\n  <link rel=\"preload\" href=\"${WASM_NAME}\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n</head>")
read_or_empty("${SITE_DIR}/index.html" old_html)
if(NOT old_html STREQUAL html)
  file(WRITE "${SITE_DIR}/index.html" "${html}")
endif()

# ---- 3. precompressed siblings -----------------------------------------------------------------------
# Makes `out` from `file` with `command` (output on stdout) unless it is up to date; drops it when it
# does not save anything.
function(compress file out)
  if(EXISTS "${out}" AND NOT "${file}" IS_NEWER_THAN "${out}")
    return()
  endif()
  execute_process(COMMAND ${ARGN} OUTPUT_FILE "${out}.tmp" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    file(REMOVE "${out}.tmp")
    message(FATAL_ERROR "site_assets.cmake: compressing ${file} failed: ${err}")
  endif()
  file(SIZE "${file}" size)
  file(SIZE "${out}.tmp" packed)
  if(packed LESS size)
    file(RENAME "${out}.tmp" "${out}")
  else()
    file(REMOVE "${out}.tmp" "${out}")
  endif()
endfunction()

file(GLOB_RECURSE site_files LIST_DIRECTORIES false "${SITE_DIR}/*")
foreach(path IN LISTS site_files)
  if(path MATCHES "\\.(br|gz|tmp)$")
    string(REGEX REPLACE "\\.(br|gz|tmp)$" "" original "${path}")
    if(path MATCHES "\\.tmp$" OR NOT EXISTS "${original}")
      file(REMOVE "${path}")  # a leftover, or the sibling of a file that is gone
    endif()
    continue()
  endif()
  get_filename_component(ext "${path}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  file(SIZE "${path}" size)
  if(ext IN_LIST COMPRESSIBLE_EXTENSIONS AND NOT size LESS MIN_COMPRESS_BYTES)
    compress("${path}" "${path}.br" "${BROTLI}" -q 11 -c "${path}")
    compress("${path}" "${path}.gz" "${GZIP}" -9 -n -c "${path}")
  else()
    file(REMOVE "${path}.br" "${path}.gz")
  endif()
endforeach()
