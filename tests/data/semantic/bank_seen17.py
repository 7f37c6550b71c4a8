# ruff: noqa: E501  (data: long template lines read better whole)
"""Templates and fillers for the sixth blind TEST bank of the semantic-cache pairs (see build.py).

Written in session 16 blind to the verifier: its author read only README.md, build.py, the first
60 lines of bank_tune.py (for the tuple format), the first 31 lines of bank_fifth.py (its
docstring, for this one's form, before retiring it as bank_seen16.py) and the split checks of
tests/unit/cache/test_cache_structure.py (lines 150-180); read nothing in runtime/, ops/, docs/
or workers/, no other part of any bank, no rendered pair (tune.jsonl, test.jsonl) and no result;
and ran no embedder, verifier or evaluation on it: the only programs run on it were build.py
(and --check), the split test, and a count of this module's own FAMILIES (no formatter or
linter over the folder). Families render as `seen17-NN` in test.jsonl.

157 families, 432 pairs (at most 4 a family, 3 typical). Must-hit 150 (paraphrase 126,
equivalent 24): English 75, Chinese 69, mixed 6 (Chinese questions with English terms).
Must-miss 282: English 140, Chinese 136, mixed 6 (one `version` and one `platform` family);
5 pairs in each of the README's 52 classes (6 in `version` and `platform`), one English and one
Chinese or mixed family each, instead of 6 to 8, so that the bank keeps about the size of the
earlier ones; and four new classes: `payment_method` (credit card / cash, 刷卡 / 现金),
`item_condition` (new / second-hand, 全新 / 二手), `season` (summer / winter tyres, 夏天 / 冬天)
and `delivery_pickup` (home delivery / collect from the store, 送货上门 / 到店自提).

Each family: (category, lang, should_hit, cached template, query template, fills). The contrast
of a must-miss family sits in the templates where it is a common word (morning / evening,
Chromebook / Mac, before tax / after tax, 早上 / 晚上, 单程 / 来回), so the fillers stay specific
to this bank. The leak check (against bank_tune.py and every retired bank, bank_seen16.py
included) named 102 overlaps in three runs (run 1: 63 fillers and 20 template frames; run 2: 14
fillers and 2 frames; run 3: 3 fillers; run 4 clean); each was replaced on this bank's side by
a word or frame of the author's own, never read from another bank."""

FAMILIES = [
    # --- must hit: English paraphrases -------------------------------------------------------
    ("paraphrase", "en", True, "My {0} router keeps dropping the wifi every few minutes, how do I fix it?", "How can I stop my {0} router from losing its wifi connection every couple of minutes?", [("Velkor AX30",), ("Nimbra 6",), ("Ostrana Mesh Duo",), ("Pellwick G2",)]),
    ("paraphrase", "en", True, "How do I undo the last commit in {0} without losing my changes?", "What's the way to revert my most recent commit in {0} but keep the edits?", [("the brindle-api repo",), ("my quorra-web checkout",), ("the tallowmark monorepo",), ("our vesper-docs fork",)]),
    ("paraphrase", "en", True, "Why is my {0} container being killed with exit code 137?", "My {0} container keeps getting killed, exit code 137 - what causes that?", [("pelican-worker",), ("grist-ingest",), ("mordant-cron",), ("ferrule-proxy",)]),
    ("paraphrase", "en", True, "Do I need a visa to visit {0} for two weeks as a tourist?", "Is a tourist visa required for a fortnight's trip to {0}?", [("Bhutan",), ("Suriname",), ("Tajikistan",), ("Eswatini",)]),
    ("paraphrase", "en", True, "How long should I rest a {0} after taking it out of the oven?", "After it comes out of the oven, how long do I let a {0} rest?", [("porchetta roll",), ("lamb shoulder joint",), ("stuffed guinea fowl",), ("glazed gammon",)]),
    ("paraphrase", "en", True, "What's the return policy for {0} bought online?", "If I order {0} online and don't like them, how do returns work?", [("Lomberg running shoes",), ("Fennick wool throws",), ("Oskari ceramic mugs",)]),
    ("paraphrase", "en", True, "Can someone show me the derivative of {0}?", "How would you differentiate {0} step by step?", [("x^3 * ln(x)",), ("e^(2x) * sin(x)",), ("sqrt(1 + x^4)",), ("arctan(3x)",)]),
    ("paraphrase", "en", True, "Who painted {0} and when was it finished?", "When was {0} completed, and which artist painted it?", [("The Ambassadors",), ("The Fighting Temeraire",), ("The Raft of the Medusa",)]),
    ("paraphrase", "en", True, "Can we push our {0} sync to later in the afternoon?", "Would it be possible to move the {0} sync to a later slot this afternoon?", [("Orrin onboarding",), ("billing-migration",), ("Q3 roadmap",), ("Tarrant vendor",)]),
    ("paraphrase", "en", True, "How do I get rid of black mould on {0}?", "What's the best way to remove black mold from {0}?", [("the bathroom grout",), ("window silicone seals",), ("a shower curtain liner",)]),
    ("paraphrase", "en", True, "My {0} won't stop scratching her ears, should I take her to the vet?", "Should I book a vet visit because my {0} keeps scratching at her ears?", [("cockapoo",), ("Maine Coon",), ("dachshund",), ("lop-eared bunny",)]),
    ("paraphrase", "en", True, "When is the best time to prune {0}?", "What time of year should {0} be cut back?", [("climbing hydrangeas",), ("wisteria",), ("a quince hedge",), ("lavender bushes",)]),
    ("paraphrase", "en", True, "Why does my {0} make a squealing noise when I brake?", "There's a squeal whenever I hit the brakes in my {0}, what's causing it?", [("2014 Merrow Estate",), ("Davra Sprint hatchback",), ("old Kestel pickup",), ("Ravello camper",)]),
    ("paraphrase", "en", True, "What shutter speed should I use to photograph {0}?", "For shooting {0}, which shutter speed works best?", [("hummingbirds in flight",), ("a waterfall with silky water",), ("indoor roller derby",), ("fireworks over a harbour",)]),
    ("paraphrase", "en", True, "Hi there! Quick question - how do I change the email on my {0} account?", "How do I change the email address on my {0} account?", [("Pellora",), ("Strivo",), ("Bookwyrm",), ("Tandemly",)]),
    ("paraphrase", "en", True, "Could you please tell me what time {0} closes on Sundays?", "What time does {0} close on a Sunday?", [("the Ashcombe recycling centre",), ("Marlow Street post office",), ("Fenwick Park swimming pool",)]),
    ("paraphrase", "en", True, "If I cancel my {0} subscription today, will I still have access until the end of the month?", "Will I keep access until the month ends if I cancel my {0} subscription today?", [("Streamvale",), ("Tunecrate",), ("Lexora Pro",)]),
    # --- must hit: English, equivalent surface forms -----------------------------------------
    ("equivalent", "en", True, "How long does a {0} take to process at the DMV?", "How long does a {0} take to process at the Department of Motor Vehicles?", [("title transfer",), ("REAL ID application",), ("plate replacement",)]),
    ("equivalent", "en", True, "Is 2 cups of {0} enough for 4 people?", "Is two cups of {0} enough for four people?", [("uncooked jasmine rice",), ("dried red lentils",), ("pearl couscous",)]),
    ("equivalent", "en", True, "What's the APR on the {0}?", "What's the annual percentage rate on the {0}?", [("Bellweather Platinum card",), ("Ostrow student loan",), ("Carden balance-transfer card",)]),
    ("equivalent", "en", True, "Can I use my {0} in the EU without roaming fees?", "Can I use my {0} in the European Union without roaming fees?", [("Tallis Mobile SIM",), ("Verrin prepaid eSIM",), ("Kove unlimited plan",)]),
    # --- must hit: Chinese paraphrases -------------------------------------------------------
    ("paraphrase", "zh", True, "{0}路由器老是掉线，怎么办？", "我家{0}路由器经常断网，该怎么解决？", [("锐腾AX5",), ("飞拓M3",), ("星桥Mesh",)]),
    ("paraphrase", "zh", True, "去{0}旅游需要办签证吗？", "请问到{0}玩要不要签证？", [("阿塞拜疆",), ("塔吉克斯坦",), ("黑山",), ("亚美尼亚",)]),
    ("paraphrase", "zh", True, "{0}怎么做才不腥？", "做{0}的时候怎么去腥？", [("红烧鳝段",), ("清蒸多宝鱼",), ("羊蝎子",)]),
    ("paraphrase", "zh", True, "{0}提前还款有违约金吗？", "如果提前还{0}，要不要付违约金？", [("蓝湾银行房贷",), ("安信车贷",), ("青禾消费贷",)]),
    ("paraphrase", "zh", True, "空腹可以吃{0}吗？", "{0}能不能空腹服用？", [("维乐康片",), ("舒达灵胶囊",), ("康普洛糖浆",)]),
    ("paraphrase", "zh", True, "在{0}上买的东西怎么退货？", "{0}买的商品想退，流程是什么？", [("优选铺",), ("闪购岛",), ("拾物集",)]),
    ("paraphrase", "zh", True, "把周三的{0}会议改到下午可以吗？", "周三那个{0}会能不能挪到下午开？", [("预算评审",), ("季度复盘",), ("招聘同步",)]),
    ("paraphrase", "zh", True, "卫生间{0}发霉了怎么去除？", "怎么清理卫生间{0}上的霉斑？", [("玻璃胶",), ("瓷砖缝",), ("浴帘",)]),
    ("paraphrase", "zh", True, "我家{0}一直挠耳朵，要不要带去看兽医？", "{0}老是抓耳朵，需要去宠物医院吗？", [("柯基",), ("英短",), ("垂耳兔",)]),
    ("paraphrase", "zh", True, "{0}什么时候修剪最好？", "一年中什么季节适合给{0}剪枝？", [("月季",), ("三角梅",), ("石榴树",), ("蓝莓苗",)]),
    ("paraphrase", "zh", True, "{0}怎么在网上续办？", "在线续签{0}要怎么操作？", [("暂住登记卡",), ("港澳通行证签注",), ("图书馆借书证",)]),
    ("paraphrase", "zh", True, "备考{0}每周要学多少小时？", "准备{0}的话，一周大概得复习几个小时？", [("注册会计师",), ("法考",), ("雅思",), ("教资面试",)]),
    ("paraphrase", "zh", True, "我的{0}一刹车就有尖叫声是怎么回事？", "{0}踩刹车时会吱吱响，什么原因？", [("驰远SUV",), ("凌风两厢车",), ("开了八年的皮卡",)]),
    ("paraphrase", "zh", True, "怎么让{0}晚上睡整觉？", "有什么办法让{0}一觉睡到天亮？", [("八个月的宝宝",), ("刚断奶的孩子",), ("两岁的娃",)]),
    ("paraphrase", "zh", True, "拍{0}快门速度设多少合适？", "用多快的快门拍{0}比较好？", [("飞鸟",), ("溪流拉丝",), ("篮球比赛",)]),
    ("paraphrase", "zh", True, "{0}的账号怎么换绑手机号？", "请问{0}账户绑定的手机号要怎么改？", [("轻阅",), ("步知",), ("跑哒",)]),
    ("paraphrase", "zh", True, "麻烦问一下，{0}周日几点关门？", "{0}周日几点关门", [("城西图书馆",), ("望江路邮局",), ("南湖游泳馆",)]),
    ("paraphrase", "zh", True, "{0}可以冷冻保存吗？", "{0}能放冷冻室存着吗？", [("吃剩的饺子馅",), ("自制酸奶",), ("煮好的米饭",)]),
    # --- must hit: Chinese, equivalent surface forms -----------------------------------------
    ("equivalent", "zh", True, "办理{0}需要两个人到场吗", "办理{0}需要2个人到场吗", [("结婚登记",), ("二手车过户",), ("公司股权变更",)]),
    ("equivalent", "zh", True, "{0}考上北大要多少分？", "{0}考上北京大学要多少分？", [("河北理科生",), ("浙江考生",), ("云南文科生",)]),
    ("equivalent", "zh", True, "{0}上个月的CPI涨了多少？", "{0}上个月的居民消费价格指数涨了多少？", [("江西",), ("黔东南",), ("长三角",)]),
    ("equivalent", "zh", True, "一公斤{0}大概多少钱？", "1公斤{0}大概多少钱？", [("释迦果",), ("牛腩",), ("碧根果",)]),
    # --- must hit: mixed (Chinese with English terms) -----------------------------------------
    ("paraphrase", "mixed", True, "{0}的Docker镜像怎么瘦身？", "怎么把{0}的Docker image做小一点？", [("tally-api",), ("订单服务",), ("nimbus-gateway",)]),
    ("paraphrase", "mixed", True, "{0}报错说Connection refused，是什么原因？", "为什么{0}一直提示Connection refused？", [("Kafka消费者",), ("Postgres客户端",), ("本地起的gRPC服务",)]),
    # --- must miss: role_reversal ------------------------------------------------------------
    ("role_reversal", "en", False, "Does {0} still owe {1} the deposit for the flat?", "Does {1} still owe {0} the deposit for the flat?", [("Zuleika", "Ottoline"), ("Brisa", "Caspian"), ("Wendell", "Honorine")]),
    ("role_reversal", "zh", False, "{0}给{1}转了多少房租", "{1}给{0}转了多少房租", [("韩冬", "罗青"), ("苏晓", "邵峰")]),
    # --- polarity_affix ----------------------------------------------------------------------
    ("polarity_affix", "en", False, "Is the {0} setting reversible once it has been applied?", "Is the {0} setting irreversible once it has been applied?", [("Glimmer archive mode",), ("vault seal",)]),
    ("polarity_affix", "zh", False, "{0}是可逆的吗", "{0}是不可逆的吗", [("蛋白质变性",), ("这次磁盘格式化",), ("铁皮生锈",)]),
    # --- polarity_antonym --------------------------------------------------------------------
    ("polarity_antonym", "en", False, "Why is the {0} so loud at night?", "Why is the {0} so quiet at night?", [("Brennor heat pump",), ("upstairs extractor fan",), ("Kiva aquarium filter",)]),
    ("polarity_antonym", "zh", False, "{0}为什么这么贵", "{0}为什么这么便宜", [("青梅酒",), ("凤凰单丛",)]),
    # --- conversion_direction ----------------------------------------------------------------
    ("conversion_direction", "en", False, "What's the formula to turn {0} into {1}?", "What's the formula to turn {1} into {0}?", [("cable lengths", "nautical leagues"), ("Réaumur", "Delisle")]),
    ("conversion_direction", "zh", False, "{0}换算成{1}怎么算", "{1}换算成{0}怎么算", [("英寻", "庹"), ("担", "石"), ("列氏温度", "兰氏度")]),
    # --- identifier --------------------------------------------------------------------------
    ("identifier", "en", False, "Why did my email to {0} bounce?", "Why did my email to {1} bounce?", [("ravi.k@tallowmail.io", "ravi.k@tallowmail.co"), ("ops-alerts@quarrybend.net", "ops-alert@quarrybend.net"), ("hello@brindlecafe.org", "help@brindlecafe.org")]),
    ("identifier", "zh", False, "{0}这个工单现在处理到哪一步了", "{1}这个工单现在处理到哪一步了", [("OPS-2291", "OPS-2219"), ("HR-0815", "HR-0851")]),
    # --- time_of_day -------------------------------------------------------------------------
    ("time_of_day", "en", False, "Is the {0} ferry running tomorrow morning?", "Is the {0} ferry running tomorrow evening?", [("Cobble Point",), ("Saltmarsh Quay",)]),
    ("time_of_day", "zh", False, "明天早上{0}限行吗", "明天晚上{0}限行吗", [("滨河大道",), ("高新区",), ("二环辅路",)]),
    # --- quantifier --------------------------------------------------------------------------
    ("quantifier", "en", False, "Did every {0} get the {1}?", "Did any {0} get the {1}?", [("contractor on Fenbrook", "bonus letter"), ("tenant at Lark House", "rent notice"), ("volunteer in Ward 6", "training email")]),
    ("quantifier", "zh", False, "{0}是全部都要参加{1}吗", "{0}是只有部分要参加{1}吗", [("见习护士", "消防逃生演练"), ("三年级学生", "游泳测试")]),
    # --- number_unit -------------------------------------------------------------------------
    ("number_unit", "en", False, "Is 500 mg of {0} a safe daily dose?", "Is 5000 mg of {0} a safe daily dose?", [("Vitabright C",), ("Corlin zinc citrate",)]),
    ("number_unit", "zh", False, "{0}每天跑8公里算多吗", "{0}每天跑18公里算多吗", [("五十岁的人",), ("刚开始跑步的人",), ("体重90公斤的人",)]),
    # --- comparative -------------------------------------------------------------------------
    ("comparative", "en", False, "Is {0} faster than {1} for {2}?", "Is {0} slower than {1} for {2}?", [("the Tollway route", "the coast road", "getting to Hexham"), ("Quillfeather", "Scribblr", "bulk renaming"), ("the 8:10 express", "the 8:25 stopper", "reaching Dunmore")]),
    ("comparative", "zh", False, "{0}是不是比{1}贵一些", "{0}是不是比{1}便宜一些", [("盒马", "叮咚"), ("高铁二等座", "特价机票")]),
    # --- name --------------------------------------------------------------------------------
    ("name", "en", False, "What time is {0}'s flight landing?", "What time is {1}'s flight landing?", [("Rosalind", "Rosalynd"), ("Joaquin", "Joachim")]),
    ("name", "zh", False, "{0}的生日是哪天", "{1}的生日是哪天", [("林子涵", "林子寒"), ("周一鸣", "周逸鸣"), ("欧阳菲", "欧阳非")]),
    # --- tense -------------------------------------------------------------------------------
    ("tense", "en", False, "When did {0} open its doors?", "When will {0} open its doors?", [("the Corvell Street library",), ("Harbin Row market",), ("the new Tideway bridge",)]),
    ("tense", "zh", False, "{0}是什么时候开通的", "{0}什么时候开通", [("地铁十二号线",), ("东站到机场的专线",)]),
    # --- entity ------------------------------------------------------------------------------
    ("entity", "en", False, "How tall is {0}, and how long does the climb take?", "How tall is {1}, and how long does the climb take?", [("Ben Macdui", "Ben Lawers"), ("Snaefell", "Scafell Pike")]),
    ("entity", "zh", False, "{0}的首府是哪座城市", "{1}的首府是哪座城市", [("阿拉斯加", "阿肯色"), ("昆士兰", "塔斯马尼亚"), ("魁北克", "曼尼托巴")]),
    # --- number ------------------------------------------------------------------------------
    ("number", "en", False, "Can I fit 6 people in a {0}?", "Can I fit 9 people in a {0}?", [("Ravello camper van",), ("Tamsin-class sailboat",), ("Dorvan minibus",)]),
    ("number", "zh", False, "{0}三个月大的时候该打什么疫苗", "{0}六个月大的时候该打什么疫苗", [("双胞胎",), ("早产宝宝",)]),
    # --- date --------------------------------------------------------------------------------
    ("date", "en", False, "Is the {0} open on 24 December?", "Is the {0} open on 26 December?", [("Quayside aquarium",), ("Bellmont ice rink",)]),
    ("date", "zh", False, "{0}五月一号上班吗", "{0}五月五号上班吗", [("出入境大厅",), ("税务大厅",), ("公积金中心",)]),
    # --- negation ----------------------------------------------------------------------------
    ("negation", "en", False, "What happens if I pay the {0} on time?", "What happens if I don't pay the {0} on time?", [("Harcourt water bill",), ("Lenwick council fine",), ("Calder gym membership fee",)]),
    ("negation", "zh", False, "如果{0}按时交了会怎样", "如果{0}没按时交会怎样", [("物业费",), ("学费",)]),
    # --- antonym -----------------------------------------------------------------------------
    ("antonym", "en", False, "Why is the {0} so heavy?", "Why is the {0} so light?", [("Tarrow cast-iron pan",), ("Vellum hiking pack",)]),
    ("antonym", "zh", False, "做的{0}太咸了还能救吗", "做的{0}太淡了还能救吗", [("酱鸭腿",), ("腌萝卜",), ("番茄蛋汤",)]),
    # --- direction ---------------------------------------------------------------------------
    ("direction", "en", False, "How do I transfer my contacts from {0} to {1}?", "How do I transfer my contacts from {1} to {0}?", [("my old Lumo phone", "a Zentra tablet"), ("Corvo Mail", "Hollowpost"), ("the Kestrel app", "a SIM card")]),
    ("direction", "zh", False, "从{0}到{1}坐什么车最快", "从{1}到{0}坐什么车最快", [("高铁西客站", "临空港"), ("大学城", "老城区")]),
    # --- intent ------------------------------------------------------------------------------
    ("intent", "en", False, "How do I cancel my {0} order?", "How do I track my {0} order?", [("Dunmore Books",), ("Gelda Home",)]),
    ("intent", "zh", False, "怎么注销{0}账号", "怎么注册{0}账号", [("青柚记账",), ("拾光相册",), ("云栖笔记",)]),
    # --- language ----------------------------------------------------------------------------
    ("language", "en", False, "How do you say '{0}' in Portuguese?", "How do you say '{0}' in Romanian?", [("where is the pharmacy",), ("I'm allergic to peanuts",), ("the bill, please",)]),
    ("language", "zh", False, "“{0}”用日语怎么说", "“{0}”用韩语怎么说", [("多少钱一位",), ("请帮我叫辆车",)]),
    # --- before_after ------------------------------------------------------------------------
    ("before_after", "en", False, "Is {0} meant to be swallowed before a meal?", "Is {0} meant to be swallowed after a meal?", [("Dovrana tablets",), ("ferrous fumarate",)]),
    ("before_after", "zh", False, "{0}之前要做什么准备", "{0}之后要注意什么", [("做支气管镜",), ("种牙",), ("打全麻",)]),
    # --- include_exclude ---------------------------------------------------------------------
    ("include_exclude", "en", False, "Which fees are included in the {0} price?", "Which fees are excluded from the {0} price?", [("Solenne Resort package",), ("Marten Air Basic",), ("Holloway gym annual",)]),
    ("include_exclude", "zh", False, "{0}包含哪些项目", "{0}不包含哪些项目", [("入职体检套餐",), ("婚礼跟拍套餐",)]),
    # --- first_last --------------------------------------------------------------------------
    ("first_last", "en", False, "When is the first {0} train back from {1}?", "When is the last {0} train back from {1}?", [("southbound", "Rowan Junction"), ("Sunday", "Pellham Cross")]),
    ("first_last", "zh", False, "{0}第一班车几点", "{0}最后一班车几点", [("机场巴士五号线",), ("跨城城际",), ("夜市接驳车",)]),
    # --- min_max -----------------------------------------------------------------------------
    ("min_max", "en", False, "What's the minimum age to {0}?", "What's the maximum age to {0}?", [("ride the Spindrift coaster",), ("join the Harbour Rowing Club juniors",), ("apply for a Calder youth railcard",)]),
    ("min_max", "zh", False, "{0}最少要存多少", "{0}最多能存多少", [("蓝湾定期储蓄",), ("青禾活期宝",)]),
    # --- per_unit_total ----------------------------------------------------------------------
    ("per_unit_total", "en", False, "How much is {0} per person?", "How much is {0} in total for the whole group?", [("the Glenbrae distillery tour",), ("the Fenmoor escape room",)]),
    ("per_unit_total", "zh", False, "{0}每人收多少钱", "{0}总共收多少钱", [("温泉套票",), ("包船出海",), ("剧本杀包场",)]),
    # --- version -----------------------------------------------------------------------------
    ("version", "en", False, "Does {0} version 3 support {1}?", "Does {0} version 4 support {1}?", [("Quarrel ORM", "async sessions"), ("Brindle CLI", "plugin hooks"), ("Tavi SDK", "offline sync")]),
    ("version", "mixed", False, "{0} 2.x 还支持{1}吗", "{0} 3.x 还支持{1}吗", [("Nimbus SDK", "旧版API"), ("Pallet框架", "同步接口"), ("Corvo CLI", "Win7系统")]),
    # --- with_without ------------------------------------------------------------------------
    ("with_without", "en", False, "What's a good recipe for {0} with eggs in it?", "What's a good recipe for {0} without any eggs?", [("a Victoria sponge",), ("Yorkshire puddings",)]),
    ("with_without", "zh", False, "{0}放糖怎么做", "{0}不放糖怎么做", [("银耳羹",), ("红豆汤",), ("双皮奶",)]),
    # --- ordinal_cardinal --------------------------------------------------------------------
    ("ordinal_cardinal", "en", False, "Who won the third {0}?", "Who won three {0}?", [("Marrowdale Cup",), ("Halvard Prize for poetry",), ("Tidewater Regatta",)]),
    ("ordinal_cardinal", "zh", False, "{0}第二个疗程要多少钱", "{0}两个疗程要多少钱", [("针灸",), ("光子嫩肤",)]),
    # --- currency ----------------------------------------------------------------------------
    ("currency", "en", False, "How much is the {0} in euros?", "How much is the {0} in Swiss francs?", [("Ollenby day pass",), ("Marlowe Hotel family room",)]),
    ("currency", "zh", False, "{0}用港币付要多少", "{0}用日元付要多少", [("这件羽绒服",), ("两晚民宿",), ("机场快线车票",)]),
    # --- location ----------------------------------------------------------------------------
    ("location", "en", False, "Is there a late-night {0} in Harrowgate?", "Is there a late-night {0} in Wexcombe?", [("pharmacy",), ("laundrette",), ("noodle bar",)]),
    ("location", "zh", False, "{0}哪里有24小时营业的药店", "{1}哪里有24小时营业的药店", [("桐林镇", "柳岸镇"), ("东湖新区", "西岭新区")]),
    # --- audience ----------------------------------------------------------------------------
    ("audience", "en", False, "What's a good {0} for beginners?", "What's a good {0} for advanced players?", [("Korvath deck archetype",), ("table tennis rubber",)]),
    ("audience", "zh", False, "有什么适合小学生看的{0}", "有什么适合高中生看的{0}", [("天文纪录片",), ("历史小说",), ("英文原版书",)]),
    # --- platform ----------------------------------------------------------------------------
    ("platform", "en", False, "How do I clear the cache of {0} on a Chromebook?", "How do I clear the cache of {0} on a Mac?", [("the Tessel browser",), ("Morrow Music",), ("Pinebook Notes",)]),
    ("platform", "mixed", False, "{0}在iPad上怎么分屏", "{0}在华为平板上怎么分屏", [("Flowdesk",), ("Kanbo",), ("Scribo",)]),
    # --- frequency ---------------------------------------------------------------------------
    ("frequency", "en", False, "Should I water {0} every day?", "Should I water {0} once a week?", [("a potted Kessaly fig",), ("a staghorn fern",)]),
    ("frequency", "zh", False, "{0}每天都要吃吗", "{0}每周吃一次就行吗", [("叶酸片",), ("钙片",), ("辅酶Q10",)]),
    # --- duration_deadline -------------------------------------------------------------------
    ("duration_deadline", "en", False, "How long does the {0} take?", "When is the deadline for the {0}?", [("Harlan grant application",), ("Stoke Vale planning appeal",), ("Corwin scholarship essay",)]),
    ("duration_deadline", "zh", False, "{0}大概要办多长时间", "{0}最晚哪天截止", [("个税汇算",), ("研究生网上确认",)]),
    # --- preposition -------------------------------------------------------------------------
    ("preposition", "en", False, "Is there a bus to {0} after 10pm?", "Is there a bus from {0} after 10pm?", [("Ashgrove hospital",), ("Tarnby campus",)]),
    ("preposition", "zh", False, "在{0}上面放什么比较好", "在{0}下面放什么比较好", [("冰箱",), ("电视柜",), ("床头柜",)]),
    # --- particle ----------------------------------------------------------------------------
    ("particle", "en", False, "How do I turn up the {0}?", "How do I turn off the {0}?", [("Gallo smart thermostat",), ("hallway motion lights",), ("Vossen soundbar",)]),
    ("particle", "zh", False, "小周去过{0}吗", "小周去{0}了吗", [("莫高窟",), ("喀什",)]),
    # --- modality ----------------------------------------------------------------------------
    ("modality", "en", False, "Am I allowed to {0} before the Orwen audit?", "Am I required to {0} before the Orwen audit?", [("update the ledger",), ("close the Q2 accounts",)]),
    ("modality", "zh", False, "外籍员工可以{0}吗", "外籍员工必须{0}吗", [("缴纳住房公积金",), ("参加年度体检",), ("办理社保卡",)]),
    # --- side --------------------------------------------------------------------------------
    ("side", "en", False, "Is the fuel cap on the left side of a {0}?", "Is the fuel cap on the right side of a {0}?", [("Merrow Tourer",), ("Davra Sprint",), ("Kestel pickup",)]),
    ("side", "zh", False, "{0}左边疼是什么原因", "{0}右边疼是什么原因", [("小腹",), ("后脑勺",)]),
    # --- alternative -------------------------------------------------------------------------
    ("alternative", "en", False, "Should I take the {0} or the train to Pellham?", "Should I take the {0} or the ferry to Pellham?", [("coach",), ("overnight Bellis coach",)]),
    ("alternative", "zh", False, "{0}是租房还是买房划算", "{0}是租房还是合租划算", [("在杭州工作两年",), ("刚毕业",), ("带两个孩子",)]),
    # --- negating_verb -----------------------------------------------------------------------
    ("negating_verb", "en", False, "Why was my {0} accepted?", "Why was my {0} rejected?", [("Harwell housing application",), ("transfer request to Kelby",), ("Orla grant bid",)]),
    ("negating_verb", "zh", False, "{0}被录取后要做什么", "{0}被拒之后要做什么", [("研究生复试",), ("留学申请",)]),
    # --- frame_verb --------------------------------------------------------------------------
    ("frame_verb", "en", False, "Can you summarise this {0} for me?", "Can you translate this {0} for me?", [("tenancy agreement",), ("Marlow school newsletter",)]),
    ("frame_verb", "zh", False, "帮我写一封{0}", "帮我改一封{0}", [("辞职信",), ("投诉邮件",), ("推荐信",)]),
    # --- sense -------------------------------------------------------------------------------
    ("sense", "en", False, "How do I boil {0}?", "How do I poach {0}?", [("duck eggs",), ("salmon fillets",), ("quail eggs",)]),
    ("sense", "zh", False, "{0}怎么炖", "{0}怎么炸", [("猪蹄",), ("带鱼",)]),
    # --- possession --------------------------------------------------------------------------
    ("possession", "en", False, "When does my {0} expire?", "When does my wife's {0} expire?", [("Vessa residence card",), ("Parklane gym pass",)]),
    ("possession", "zh", False, "我的{0}在哪查", "我妈的{0}在哪查", [("门诊统筹额度",), ("公积金缴存记录",), ("个人纳税明细",)]),
    # --- cause_vs_effect ---------------------------------------------------------------------
    ("cause_vs_effect", "en", False, "What are the common causes of {0}?", "What are the common consequences of {0}?", [("brown rot on plum trees",), ("waterlogged clay beds",), ("high humidity in lofts",)]),
    ("cause_vs_effect", "zh", False, "{0}一般是什么引起的", "{0}一般会引起什么后果", [("缺维生素D",), ("高尿酸",)]),
    # --- degree ------------------------------------------------------------------------------
    ("degree", "en", False, "Is it normal for a {0} to be slightly swollen after {1}?", "Is it normal for a {0} to be very swollen after {1}?", [("knee", "a long hike"), ("gum", "a filling")]),
    ("degree", "zh", False, "{0}有点发烧要去医院吗", "{0}高烧不退要去医院吗", [("两岁孩子",), ("怀孕五个月的准妈妈",), ("老人",)]),
    # --- part_whole --------------------------------------------------------------------------
    ("part_whole", "en", False, "What's the total distance of the whole {0}?", "What's the distance of each leg of the {0}?", [("Coastline Way trail",), ("Tour of Ardmore",), ("Wrenfield relay",)]),
    ("part_whole", "zh", False, "{0}全程多少公里", "{0}每一段多少公里", [("川藏线",), ("环湖骑行线路",)]),
    # --- source ------------------------------------------------------------------------------
    ("source", "en", False, "According to the official {0} manual, how should I handle {1}?", "According to users on Reddit threads, how should I handle {1} in {0}?", [("Tessel", "rate limits"), ("Quarrel ORM", "lazy relation loading")]),
    ("source", "zh", False, "{0}官方是怎么说的", "网友怎么评价{0}", [("这次停电",), ("新版医保政策",), ("学区调整",)]),
    # --- purpose -----------------------------------------------------------------------------
    ("purpose", "en", False, "What's the best {0} for commuting?", "What's the best {0} for camping?", [("folding bike",), ("rain jacket",), ("head torch",)]),
    ("purpose", "zh", False, "买{0}主要用来拍视频，选哪款", "买{0}主要用来打游戏，选哪款", [("平板",), ("笔记本电脑",)]),
    # --- scope_time_range --------------------------------------------------------------------
    ("scope_time_range", "en", False, "How much did I spend on {0} today?", "How much did I spend on {0} this year?", [("takeaways",), ("taxis",)]),
    ("scope_time_range", "zh", False, "{0}今天卖了多少", "{0}今年卖了多少", [("我们店的奶茶",), ("青柠汽水",), ("店里的月饼",)]),
    # --- requester_role ----------------------------------------------------------------------
    ("requester_role", "en", False, "As the employer, what do I need to do when {0}?", "As the employee, what do I need to do when {0}?", [("a contract ends early",), ("someone goes on parental leave",), ("the office relocates",)]),
    ("requester_role", "zh", False, "我是房东，{0}怎么办", "我是租客，{0}怎么办", [("押金纠纷",), ("提前退租",)]),
    # --- unit_system -------------------------------------------------------------------------
    ("unit_system", "en", False, "What's a normal {0} in Fahrenheit?", "What's a normal {0} in Celsius?", [("body temperature for a toddler",), ("fridge temperature",)]),
    ("unit_system", "zh", False, "{0}用公制表示是多少", "{0}用英制表示是多少", [("床垫尺寸",), ("自行车轮径",), ("标准泳池长度",)]),
    # --- gross_net ---------------------------------------------------------------------------
    ("gross_net", "en", False, "What's the {0} salary before tax?", "What's the {0} salary after tax?", [("junior Corvell analyst",), ("night-shift nurse in Tarnby",), ("Ardley teaching assistant",)]),
    ("gross_net", "zh", False, "{0}年薪含税多少", "{0}扣完税到手多少", [("这份工作",), ("研究员岗位",)]),
    # --- trip_type ---------------------------------------------------------------------------
    ("trip_type", "en", False, "How much is a one-way {0} fare?", "How much is a round-trip {0} fare?", [("Glenmoor ferry",), ("Larkhill shuttle",)]),
    ("trip_type", "zh", False, "{0}单程多少钱", "{0}来回多少钱", [("去崇明岛的船",), ("到雪场的大巴",), ("上山缆车",)]),
    # --- new: payment_method (card / cash, 刷卡 / 现金) -----------------------------------------
    ("payment_method", "en", False, "Can I pay for the {0} with a credit card?", "Can I pay for the {0} in cash?", [("Brackley allotment fee",), ("Orwen toll road",), ("Saltmarsh harbour mooring",)]),
    ("payment_method", "zh", False, "{0}能刷卡吗", "{0}能用现金吗", [("古镇游船票",), ("菜市场摊位",)]),
    # --- new: item_condition (new / second-hand, 全新 / 二手) -----------------------------------
    ("item_condition", "en", False, "Is it worth buying a new {0}?", "Is it worth buying a second-hand {0}?", [("Merrow Tourer",), ("Halden baritone guitar",)]),
    ("item_condition", "zh", False, "买全新的{0}值得吗", "买二手的{0}值得吗", [("相机镜头",), ("跑步机",), ("立式钢琴",)]),
    # --- new: season (summer / winter, 夏天 / 冬天) ---------------------------------------------
    ("season", "en", False, "What are the best tyres for {0} in summer?", "What are the best tyres for {0} in winter?", [("a Davra Sprint",), ("my Tessa 125 scooter",), ("a Ravello camper",)]),
    ("season", "zh", False, "夏天去{0}穿什么", "冬天去{0}穿什么", [("雪乡",), ("可可托海",)]),
    # --- new: delivery_pickup (home delivery / collect in store, 送货上门 / 到店自提) -------------
    ("delivery_pickup", "en", False, "Is there a fee for home delivery of {0}?", "Is there a fee if I collect {0} from the store myself?", [("Ormond sofa beds",), ("Kettering flat-pack wardrobes",)]),
    ("delivery_pickup", "zh", False, "{0}送货上门要运费吗", "{0}自己去店里提货要运费吗", [("冰箱",), ("乳胶床垫套装",), ("洗衣机",)]),
]
