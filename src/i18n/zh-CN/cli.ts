/** zh-CN texts of the tutor's cli: English key → Chinese (docs/glossary.zh-CN.md). */
export const cli: Record<string, string> = {
  // Errors in the options
  'LLM_TUTOR_ISOLATION must be bwrap, permission or auto, got "{0}".': 'LLM_TUTOR_ISOLATION 必须是 bwrap、permission 或 auto，实际为 "{0}"。',
  '--seed must be a whole number from 0 to 4294967295, got "{0}"': '--seed 必须是 0 到 4294967295 之间的整数，实际为 "{0}"',
  '{0} must be a positive whole number, got "{1}"': '{0} 必须是正整数，实际为 "{1}"',
  '{0} must be a number such as 0.8, got "{1}"': '{0} 必须是数字（如 0.8），实际为 "{1}"',
  '--width must be a whole number of columns, at least 20, got "{0}"': '--width 必须是表示列数的整数，至少为 20，实际为 "{0}"',
  'Run `llm-tutor --help` for the commands and options.': '运行 `llm-tutor --help` 查看所有命令和选项。',
  'internal error: {0}': '内部错误：{0}',
  'This is a bug in llm-tutor. Please report it with the command you ran and the lines above.': '这是 llm-tutor 的 bug。请报告它，并附上你运行的命令和上面这几行输出。',

  // Commander's own words
  'output the version number': '显示版本号',
  'display help for command': '显示命令的帮助',
  'Usage:': '用法：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Arguments:': '参数：',
  'Global Options:': '全局选项：',
  ' (choices: {0})': '（可选值：{0}）',
  ' (default: {0})': '（默认：{0}）',

  // The program and its global options
  'Learn how large language models work inside by implementing each piece.': '亲手实现每一个部件，弄懂大语言模型内部如何工作。',
  'the workspace folder (default: the nearest llm-tutor.json)': '工作区文件夹（默认：最近的 llm-tutor.json 所在的文件夹）',
  'only the exercises of this pack (grade: the pack to grade against)': '只涉及这个练习包的练习（grade：评分所依据的练习包）',
  'tfjs backend for the references': '参考实现所用的 tfjs 后端',
  'seed for the generated cases': '生成用例的随机种子',
  'plain output without colours (also NO_COLOR=1)': '不带颜色的纯文本输出（也可设 NO_COLOR=1）',
  'the language of the tutor: en or zh-CN (also LLM_TUTOR_LANG, "lang" in llm-tutor.json, else the system locale)':
    '导师使用的语言：en 或 zh-CN（也可用 LLM_TUTOR_LANG 或 llm-tutor.json 中的 "lang" 设置，否则取系统的区域设置）',
  "how learner code is isolated: bwrap (OS sandbox), permission (Node's permission model only) or auto (bwrap where it works; also LLM_TUTOR_ISOLATION)":
    '学习者代码的隔离方式：bwrap（操作系统沙箱）、permission（仅用 Node 的权限模型）或 auto（能用 bwrap 时就用；也可设 LLM_TUTOR_ISOLATION）',
  "reset, solution --force and doctor --repair's re-grade ask first in a terminal; without one they need --yes (exit 2 otherwise).":
    'reset、solution --force 以及 doctor --repair 的重新评分在终端中会先征求你的确认；没有终端时需要加 --yes（否则以退出码 2 结束）。',

  // The commands
  'create a workspace (default: ./llm-tutor-workspace) with a starter file for every exercise': '创建工作区（默认：./llm-tutor-workspace），并为每个练习写好起始文件',
  'packs to enable: built-in ids or pack folders (default: every built-in pack, in syllabus order)': '要启用的练习包：内置练习包的 id 或练习包文件夹（默认：全部内置练习包，按课程顺序）',
  'open the first unsolved exercise: lesson summary, file to edit, verdict': '打开第一个尚未通过的练习：课程摘要、要编辑的文件和评分结果',
  'grade once, print and exit (also when stdout is not a terminal)': '只评分一次，打印结果后退出（stdout 不是终端时也是如此）',
  're-grade on `r` instead of watching the file': '按 `r` 时才重新评分，而不是监视文件的变化',
  'every exercise of every enabled pack, with its status': '列出所有已启用练习包中的每个练习及其状态',
  'machine-readable output': '输出机器可读的格式',
  'grade an exercise once (default: the current one); exit 0 on pass, 1 otherwise': '对一个练习评分一次（默认：当前练习）；通过时退出码为 0，否则为 1',
  'print the verdict as JSON': '以 JSON 格式输出评分结果',
  'grade this file instead of the workspace file': '对这个文件评分，而不是工作区中的文件',
  "time limit for the learner's code, overriding the exercise's": '学习者代码的时间限制（毫秒），覆盖练习自身的设置',
  'reveal the next hint (for the mistake the last check diagnosed, else a nudge first, the key idea last)':
    '显示下一条提示（优先针对上次检查诊断出的错误；否则先给一点点拨，最后才给出关键思路）',
  'the lesson of an exercise, in a pager when stdout is a terminal (LLM_TUTOR_PAGER, PAGER, else less)':
    '显示练习的课程；stdout 是终端时用分页器显示（LLM_TUTOR_PAGER、PAGER，否则用 less）',
  'print the lesson instead of paging it': '直接打印课程，不用分页器',
  "wrap the text at this many columns (default: the terminal's, at most 100; 80 when not a terminal)": '按这么多列折行（默认：终端的宽度，最多 100；不是终端时为 80）',
  'show a generated input by argument name and its expected output': '按参数名显示一个生成的输入及其期望输出',
  'which case (1-based; default 1)': '第几个用例（从 1 开始计数；默认 1）',
  "also the reference's intermediate values, in order (attention: scores, then weights)": '同时按计算顺序显示参考实现的中间值（例如注意力：先是分数，再是权重）',
  'show the model solution (once the exercise passes)': '显示参考答案（练习通过之后）',
  'show it before passing (asks first)': '在通过之前就显示（会先征求确认）',
  'with --force: do not ask (needed without a terminal)': '配合 --force：不再询问（没有终端时必须加）',
  'restore the starter file (the current file is backed up; asks first)': '恢复起始文件（当前文件会先备份；会先征求确认）',
  'do not ask (needed without a terminal)': '不再询问（没有终端时必须加）',
  'grade a workspace or a folder of submissions for CI (no prompts); `grade merge <files...>` combines shard results':
    '为 CI 评分一个工作区或一个存放提交的文件夹（不做任何询问）；`grade merge <files...>` 合并各分片的结果',
  'only these exercises (comma-separated ids)': '只评这些练习（用逗号分隔的 id）',
  'submissions graded in parallel': '并行评分的提交数',
  'grade shard i of n (a deterministic split of the submissions)': '评分 n 个分片中的第 i 个（对提交的确定性划分）',
  'pretty, json, junit, github, html or gradescope (one submission), each optionally to a file; repeatable':
    'pretty、json、junit、github、html 或 gradescope（仅限单个提交），每个都可以写入文件；可重复指定',
  "time limit for each learner file's cases": '每个学习者文件运行其用例的时间限制（毫秒）',
  'print nothing when every reporter writes to a file (otherwise: the counts and the files written)': '所有报告器都写入文件时什么也不打印（否则打印统计数字和写出的文件）',
  "instructors' packs: new <dir> | new-exercise <dir> <id> | preview <dir> [id] | validate [dir] | build [dir] | add <dir|npm-package|.tgz> | remove <id> | list":
    '教师用的练习包命令：new <dir> | new-exercise <dir> <id> | preview <dir> [id] | validate [dir] | build [dir] | add <dir|npm-package|.tgz> | remove <id> | list',
  'with new: the pack id (default: the folder name)': '配合 new：练习包 id（默认：文件夹名）',
  'with new-exercise: the exercise title (default: the last part of its id in words)': '配合 new-exercise：练习标题（默认：由 id 的最后一段转成的文字）',
  'with validate and list: machine-readable output': '配合 validate 和 list：输出机器可读的格式',
  'with add: replace an enabled pack by different content under the same version': '配合 add：用同一版本号下的不同内容替换已启用的练习包',
  'with build: leave out every solution.ts (a course build: learners cannot read the model solutions)': '配合 build：去掉所有 solution.ts（课程版：学习者看不到参考答案）',
  'with build: the .tgz to write (default: <name>-<version>.tgz here, as npm pack names it)': '配合 build：要写出的 .tgz 文件（默认：当前目录下的 <name>-<version>.tgz，与 npm pack 的命名相同）',
  "the capstone: text from the GPT your own code runs (once mini-gpt's model/forward and model/generate pass)":
    '毕业项目：由你自己的代码运行 GPT 来生成文本（需要 mini-gpt 的 model/forward 和 model/generate 已通过）',
  'shakespeare or tang (default: shakespeare)': 'shakespeare 或 tang（默认：shakespeare）',
  'the text to continue (default: "ROMEO:" and a newline; for tang, 春)': '要续写的文本（默认："ROMEO:" 加一个换行；tang 模型为「春」）',
  'from 0 (greedy) to 2 (default 0.8)': '从 0（贪心）到 2（默认 0.8）',
  'keep the k most probable tokens (default: off)': '只保留概率最高的 k 个 token（默认：关闭）',
  'keep the most probable tokens up to probability p (default: off)': '只保留累计概率达到 p 的最可能的 token（默认：关闭）',
  'how many tokens to write (default: 400 on the screen, 200 when piped)': '要生成多少个 token（默认：屏幕上 400 个，输出到管道时 200 个）',
  'check Node, the tfjs backend, the sandbox and the workspace': '检查 Node、tfjs 后端、沙箱和工作区',
  'repair a damaged progress file, keeping a backup, and offer to re-grade your edited files that have no record':
    '修复损坏的进度文件（保留备份），并提议重新评分你编辑过但没有评分记录的文件',
  'with --repair: re-grade without asking (needed without a terminal)': '配合 --repair：不经询问直接重新评分（没有终端时必须加）',
};
