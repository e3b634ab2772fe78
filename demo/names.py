"""Word lists for the demo county: names, departments, posts and the texts households tell their cadres.

Plausible for Songpan (Aba Tibetan and Qiang Autonomous Prefecture): Tibetan names usually have no surname,
Hui families are mostly 马、白、穆…, Qiang families carry Han-style surnames such as 王、杨、何、余. Weights are
relative frequencies; nothing here is a real person.
"""

# --- Ethnic mix per township ------------------------------------------------------------------------------
# Shares of households by the head's ethnicity (han, tibetan, qiang, hui). The county as a whole comes out near
# Tibetan 45 %, Han 30 %, Qiang 15 %, Hui 10 % once weighted by the number of households in each township.
ETHNIC_MIX_BY_TOWNSHIP = {
    "513224100": {"han": 44, "tibetan": 32, "qiang": 10, "hui": 14},  # 进安镇, the county seat: mixed
    "513224101": {"han": 27, "tibetan": 57, "qiang": 9, "hui": 7},  # 川主寺镇
    "513224102": {"han": 28, "tibetan": 50, "qiang": 17, "hui": 5},  # 青云镇
    "513224103": {"han": 5, "tibetan": 92, "qiang": 3, "hui": 0},  # 毛儿盖镇
    "513224104": {"han": 47, "tibetan": 13, "qiang": 30, "hui": 10},  # 镇江关镇
    "513224105": {"han": 6, "tibetan": 90, "qiang": 4, "hui": 0},  # 红土镇
    "513224106": {"han": 65, "tibetan": 17, "qiang": 14, "hui": 4},  # 小河镇
    "513224201": {"han": 22, "tibetan": 8, "qiang": 4, "hui": 66},  # 十里回族乡
    "513224203": {"han": 40, "tibetan": 25, "qiang": 18, "hui": 17},  # 安宏乡
    "513224207": {"han": 32, "tibetan": 18, "qiang": 45, "hui": 5},  # 镇坪乡
    "513224208": {"han": 33, "tibetan": 24, "qiang": 35, "hui": 8},  # 岷江乡
    "513224209": {"han": 6, "tibetan": 56, "qiang": 38, "hui": 0},  # 大姓乡
    "513224210": {"han": 26, "tibetan": 39, "qiang": 35, "hui": 0},  # 白羊乡
    "513224213": {"han": 5, "tibetan": 62, "qiang": 33, "hui": 0},  # 小姓乡
    "513224214": {"han": 14, "tibetan": 68, "qiang": 18, "hui": 0},  # 燕云乡
    "513224219": {"han": 30, "tibetan": 60, "qiang": 5, "hui": 5},  # 黄龙乡
    "513224221": {"han": 8, "tibetan": 86, "qiang": 6, "hui": 0},  # 下八寨乡
}
ETHNIC_MIX_DEFAULT = {"han": 30, "tibetan": 45, "qiang": 15, "hui": 10}
# Cadres of county organs come from the whole county and beyond; more of them are Han.
ETHNIC_MIX_COUNTY_CADRES = {"han": 50, "tibetan": 30, "qiang": 12, "hui": 8}

# Townships whose villages live mostly from yaks, sheep and horses on the grassland.
PASTORAL_TOWNSHIPS = frozenset(
    "513224101 513224103 513224105 513224209 513224213 513224214 513224219 513224221".split()
)
# The county seat and the tourist town by Huanglong airport: more wages, shops and guesthouses.
TOWN_TOWNSHIPS = frozenset(["513224100", "513224101"])

# --- Surnames and given names -------------------------------------------------------------------------------
HAN_SURNAMES = {
    "李": 10, "王": 9, "张": 9, "刘": 7, "陈": 6, "杨": 6, "黄": 3, "赵": 4, "周": 3, "吴": 3, "徐": 2, "孙": 2,
    "胡": 2, "朱": 2, "高": 2, "林": 1, "何": 3, "郭": 2, "罗": 3, "郑": 1, "梁": 1, "谢": 2, "宋": 1, "唐": 2,
    "许": 1, "邓": 2, "冯": 1, "韩": 1, "曹": 1, "彭": 2, "曾": 1, "肖": 2, "田": 1, "董": 1, "袁": 1, "潘": 1,
    "蒋": 1, "蔡": 1, "余": 2, "杜": 1, "叶": 1, "程": 1, "苏": 1, "魏": 1, "吕": 1, "丁": 1, "任": 1, "姚": 1,
    "卢": 1, "傅": 1, "钟": 1, "汪": 1, "廖": 2, "付": 1, "雷": 1, "龚": 1, "文": 1, "牟": 1, "蒲": 1, "龙": 1,
}  # fmt: skip
HUI_SURNAMES = {
    "马": 40, "白": 10, "穆": 6, "哈": 3, "沙": 3, "丁": 4, "海": 2, "纳": 2, "金": 3, "米": 2, "冶": 2, "韩": 3,
    "李": 4, "杨": 4, "张": 3, "王": 3, "苏": 2, "敏": 2,
}  # fmt: skip
QIANG_SURNAMES = {
    "王": 12, "杨": 10, "何": 8, "余": 8, "陈": 5, "张": 5, "苏": 4, "高": 3, "龙": 3, "赵": 3, "周": 3, "李": 4,
    "罗": 3, "朱": 2, "韩": 2, "马": 2, "唐": 2, "蒲": 2, "雷": 2, "孟": 2, "董": 2, "尚": 1, "毛": 1, "徐": 2,
}  # fmt: skip
# Some Songpan Tibetan families also use a Han surname.
TIBETAN_SURNAMES = {"杨": 5, "王": 4, "马": 2, "龙": 1, "谢": 1, "罗": 1, "尚": 1, "高": 1, "何": 1}
TIBETAN_SURNAME_SHARE = 0.14

# Characters of Han-style given names, by generation (born before 1965, 1965–1994, from 1995).
GIVEN_CHARS = {
    ("male", "old"): "福贵德富荣祥顺清明华忠全发林云成山国强春生友才良仁兴安元正光",
    ("male", "mid"): "伟强军平刚勇明华建国志文斌成杰涛林海波俊鹏飞超洪兵东亮辉龙峰磊川",
    ("male", "young"): "浩宇轩睿子涵博文泽俊豪鑫杰翔宸航逸凯锐晨一辰阳毅铭嘉皓昊霖",
    ("female", "old"): "秀英兰桂珍翠凤芳玉华淑素琼春花菊梅香莲群淑珍",
    ("female", "mid"): "丽娟霞英梅兰琴燕玲红艳萍莉敏静婷芳慧蓉琳雪洁波倩",
    ("female", "young"): "欣怡涵梓萱诗雨佳琪思瑶婷悦可馨子彤语嘉蕊雯心妍晴",
}

# Tibetan name elements (Amdo and Jiarong usage in Songpan); a name is one element or two.
TIBETAN_MALE = [
    "扎西", "多吉", "泽让", "泽旺", "泽郎", "贡布", "旦增", "洛桑", "索朗", "尕让", "更登", "昂青", "俄尔", "罗让",
    "才让", "阿旺", "降措", "嘉措", "旺堆", "平措", "东珠", "扎巴", "拉让", "泽登", "杨周", "尕藏", "更确", "罗尔伍",
]  # fmt: skip
TIBETAN_FEMALE = [
    "卓玛", "拉姆", "央金", "措姆", "德吉", "次吉", "央宗", "卓嘎", "拉措", "曲珍", "娜姆", "王姆", "泽姆", "桑姆",
    "拉珍", "旦措", "斯满", "卓尕", "白姆", "仁措",
]  # fmt: skip
TIBETAN_UNISEX = ["尼玛", "次仁", "格桑", "白玛", "达瓦", "泽仁", "旦真", "仁青", "桑吉", "斯郎", "尕玛", "班玛"]

# --- Phones ------------------------------------------------------------------------------------------------
MOBILE_PREFIXES = [
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177", "180", "181",
    "182", "183", "187", "188", "189", "191", "199", "153", "173", "198",
]  # fmt: skip

# --- Health ------------------------------------------------------------------------------------------------
CHRONIC_NOTES = [
    "高血压", "糖尿病", "风湿性关节炎", "慢性支气管炎", "包虫病术后随访", "大骨节病", "慢性胃炎", "高原性心脏病",
    "冠心病", "慢性阻塞性肺病", "痛风",
]  # fmt: skip
SERIOUS_NOTES = ["肺癌化疗中", "尿毒症透析", "脑梗后遗症", "肝硬化", "白血病治疗中", "重度结核病"]
DISABLED_NOTES = [
    "肢体残疾（二级）", "肢体残疾（三级）", "视力残疾（二级）", "听力残疾（三级）", "智力残疾（二级）",
    "精神残疾（二级）", "言语残疾（四级）", "肢体残疾（四级）",
]  # fmt: skip

# --- What households tell their cadres ---------------------------------------------------------------------
DIFFICULTIES = {
    "illness": ["家中有慢性病人，长期服药开支大", "家人患重病，医疗费用负担重", "看病就医路途远，复诊不方便"],
    "disabled": ["家有残疾人，缺少劳动力", "残疾家庭成员需要长期照料"],
    "elderly": ["老人留守在家，生活照料困难", "子女在外务工，老人无人照看"],
    "children": ["子女上学费用负担重", "孩子在县城读书，接送和住宿开销大", "留守儿童学习无人辅导"],
    "herding": ["草场退化，牲畜越冬饲草料不足", "牦牛价格下跌，收入减少", "冬春季节牲畜死亡风险大"],
    "farming": ["耕地少且分散，种植收益低", "青稞、土豆销路不畅", "缺少种养殖技术", "野生动物损毁庄稼"],
    "housing": ["房屋年久失修，需要维修加固", "住房位于地质灾害隐患点附近", "冬季取暖困难"],
    "infrastructure": ["通组道路冬季结冰，出行不便", "冬季自来水管易冻裂，饮水不稳定", "手机信号差，联系不便"],
    "income": ["缺乏稳定收入来源", "务工信息少，就业渠道窄", "家庭劳动力不足，增收困难"],
}
ASPIRATIONS = [
    "希望子女考上大学", "希望学习乡村旅游经营技能，开办民宿", "希望参加就业技能培训，外出务工",
    "希望帮助联系牦牛、藏香猪销售渠道", "希望硬化入户道路", "希望改善住房条件", "希望申请小额信贷发展养殖",
    "希望老人能享受更好的医疗服务", "希望孩子能就近入学", "希望发展中药材（大黄、羌活）种植",
    "希望引进高原蔬菜种植技术", "希望参加挖掘机、驾驶等技能培训", "希望在景区附近找到稳定工作",
    "希望申请公益性岗位", "希望办理残疾人两项补贴", "希望改造厕所和厨房", "希望学习电商直播销售农特产品",
    "希望加入村集体合作社分红", "希望解决冬季取暖问题", "希望家门口安装路灯",
]  # fmt: skip
SPECIAL_PROBLEMS = [
    "家庭成员患严重精神障碍，需定期随访", "与邻户存在宅基地边界纠纷", "独居老人，需每周探视",
    "存在因病返贫风险，需重点监测", "子女初中辍学，需劝返复学", "房屋处于地质灾害隐患点，汛期需提前转移",
    "家庭成员长期外出失联", "草场承包边界存在争议",
]  # fmt: skip

INCOME_NOTES = {
    "farming": ["青稞、土豆种植", "蔬菜、玉米种植", "中药材种植", "苹果、花椒种植", "油菜、胡豆种植"],
    "herding": ["牦牛养殖", "牦牛、藏绵羊养殖", "藏香猪养殖", "马匹、牦牛养殖", "藏鸡养殖"],
    "migrant_work": ["在成都务工", "在阿坝州内务工", "在浙江务工", "在广东务工", "在九寨沟景区务工"],
    "wages": ["在黄龙景区务工", "在县城就业", "公益性岗位", "在本地企业务工", "护林员工资"],
    "business": ["经营民宿", "经营农家乐", "经营小卖部", "跑运输", "经营牦牛肉加工作坊", "经营餐馆"],
    "pensions": ["城乡居民基本养老金", "退休金", "高龄津贴"],
    "subsidies": ["低保金", "草原生态保护补助奖励", "耕地地力保护补贴", "残疾人两项补贴", "特困供养金"],
}

# --- Departments -------------------------------------------------------------------------------------------
# (name, short name, kind, relative size of its staff). "{county}" is replaced by the county's name.
COUNTY_DEPARTMENTS = [
    ("中共{county}委员会办公室", "县委办", "party", 3),
    ("{county}人民政府办公室", "县政府办", "government", 3),
    ("中共{county}委员会组织部", "县委组织部", "party", 2),
    ("中共{county}委员会宣传部", "县委宣传部", "party", 2),
    ("中共{county}委员会统一战线工作部", "县委统战部", "party", 2),
    ("中共{county}委员会政法委员会", "县委政法委", "party", 2),
    ("中共{county}委员会社会工作部", "县委社会工作部", "party", 2),
    ("中共{county}纪律检查委员会", "县纪委监委", "party", 3),
    ("{county}人大常委会办公室", "县人大办", "government", 2),
    ("政协{county}委员会办公室", "县政协办", "government", 2),
    ("{county}发展和改革局", "县发改局", "government", 2),
    ("{county}教育局", "县教育局", "government", 9),
    ("{county}经济商务和信息化局", "县经商信息局", "government", 2),
    ("{county}公安局", "县公安局", "government", 8),
    ("{county}民政局", "县民政局", "government", 3),
    ("{county}司法局", "县司法局", "government", 3),
    ("{county}财政局", "县财政局", "government", 3),
    ("{county}人力资源和社会保障局", "县人社局", "government", 3),
    ("{county}自然资源局", "县自然资源局", "government", 4),
    ("{county}住房和城乡建设局", "县住建局", "government", 3),
    ("{county}交通运输局", "县交通运输局", "government", 4),
    ("{county}水务局", "县水务局", "government", 3),
    ("{county}农业农村局", "县农业农村局", "government", 6),
    ("{county}乡村振兴局", "县乡村振兴局", "government", 3),
    ("{county}文化体育和旅游局", "县文化旅游局", "government", 4),
    ("{county}卫生健康局", "县卫生健康局", "government", 5),
    ("{county}退役军人事务局", "县退役军人局", "government", 2),
    ("{county}应急管理局", "县应急管理局", "government", 3),
    ("{county}审计局", "县审计局", "government", 2),
    ("{county}市场监督管理局", "县市场监管局", "government", 4),
    ("{county}林业和草原局", "县林业和草原局", "government", 6),
    ("{county}医疗保障局", "县医疗保障局", "government", 2),
    ("{county}统计局", "县统计局", "government", 2),
    ("{county}民族宗教事务局", "县民宗局", "government", 2),
    ("{county}信访局", "县信访局", "government", 2),
    ("{county}融媒体中心", "县融媒体中心", "institution", 2),
    ("{county}人民医院", "县人民医院", "institution", 7),
    ("{county}中藏医院", "县中藏医院", "institution", 4),
    ("{county}疾病预防控制中心", "县疾控中心", "institution", 3),
    ("{county}中学校", "松潘中学", "institution", 5),
    ("{county}职业中学", "县职业中学", "institution", 3),
    ("共青团{county}委员会", "团县委", "mass_org", 1),
    ("{county}妇女联合会", "县妇联", "mass_org", 1),
    ("{county}总工会", "县总工会", "mass_org", 1),
    ("{county}残疾人联合会", "县残联", "mass_org", 1),
    ("{county}供销合作社联合社", "县供销社", "enterprise", 2),
    ("国网{county}供电公司", "县供电公司", "enterprise", 3),
    ("{county}城乡建设投资有限责任公司", "县城投公司", "enterprise", 2),
]
# The offices county leaders belong to: Party leaders to the county committee, the rest to the government,
# the people's congress and the political consultative conference.
LEADER_OFFICES = {"party": "县委办", "government": "县政府办", "congress": "县人大办", "cppcc": "县政协办"}
DEMO_DEPARTMENT_SHORT_NAME = "县教育局"

# Provincial and prefectural organs whose officials are posted to key villages; (name, short, kind, level).
UPPER_DEPARTMENTS = [
    ("四川省农业农村厅", "省农业农村厅", "government", "province"),
    ("四川省交通运输厅", "省交通运输厅", "government", "province"),
    ("四川省林业和草原局", "省林草局", "government", "province"),
    ("四川省卫生健康委员会", "省卫生健康委", "government", "province"),
    ("国家税务总局四川省税务局", "省税务局", "government", "province"),
    ("中共阿坝州委组织部", "州委组织部", "party", "prefecture"),
    ("阿坝州农业农村局", "州农业农村局", "government", "prefecture"),
    ("阿坝州教育局", "州教育局", "government", "prefecture"),
    ("阿坝州水务局", "州水务局", "government", "prefecture"),
    ("阿坝州人民医院", "州人民医院", "institution", "prefecture"),
    ("阿坝州文化体育和旅游局", "州文体旅游局", "government", "prefecture"),
    ("阿坝州供销合作社联合社", "州供销社", "enterprise", "prefecture"),
]

# --- Posts -------------------------------------------------------------------------------------------------
# (post, office key from LEADER_OFFICES); the first 20 are the standing county leadership.
COUNTY_LEADER_POSTS = [
    ("县委书记", "party"), ("县委副书记、县长", "government"), ("县人大常委会主任", "congress"),
    ("县政协主席", "cppcc"), ("县委副书记", "party"), ("县委常委、常务副县长", "government"),
    ("县委常委、组织部部长", "party"), ("县委常委、纪委书记、监委主任", "party"), ("县委常委、宣传部部长", "party"),
    ("县委常委、统战部部长", "party"), ("县委常委、政法委书记", "party"), ("县委常委、县委办主任", "party"),
    ("县委常委、副县长", "government"), ("副县长", "government"), ("副县长", "government"),
    ("副县长、公安局局长", "government"), ("副县长", "government"), ("县人大常委会副主任", "congress"),
    ("县政协副主席", "cppcc"), ("县人大常委会副主任", "congress"), ("副县长", "government"),
    ("县政协副主席", "cppcc"),
]  # fmt: skip
SECTION_POSTS = {
    "party": ["部长", "副部长", "主任", "副主任", "副书记"],
    "government": ["局长", "副局长", "党组书记", "副局长", "主任"],
    "institution": ["院长", "副院长", "党委书记", "主任", "校长", "副校长"],
    "mass_org": ["书记", "主席", "副主席"],
    "enterprise": ["总经理", "副总经理", "党支部书记"],
}
ORDINARY_POSTS = {
    "party": ["科员", "科长", "副科长", "干事", "工作人员"],
    "government": ["科员", "股长", "副股长", "办事员", "工作人员", "技术员", "执法队员"],
    "institution": ["医生", "护士", "教师", "科员", "工作人员", "技术员"],
    "mass_org": ["干事", "工作人员"],
    "enterprise": ["职工", "技术员", "班组长"],
}
UPPER_POSTS = {
    "section_level": ["处长", "副处长", "四级调研员", "科长", "副科长"],
    "ordinary": ["一级主任科员", "二级主任科员", "科员", "工作人员"],
}
TOWNSHIP_SECTION_POSTS = [
    "党委书记", "{head}长", "党委副书记", "人大主席", "纪委书记", "副{head}长", "副{head}长", "组织委员",
    "宣传委员", "武装部部长", "党委委员", "副{head}长",
]  # fmt: skip
TOWNSHIP_ORDINARY_POSTS = [
    "党政办工作人员", "便民服务中心工作人员", "农业综合服务中心工作人员", "社会事务办工作人员",
    "综治中心工作人员", "财政所工作人员", "畜牧兽医站工作人员", "应急办工作人员", "自然资源所工作人员",
    "文化站工作人员", "卫生院医生", "中心校教师",
]  # fmt: skip
VILLAGE_POSTS = ["党支部书记、村委会主任", "村委会副主任", "村务监督委员会主任", "村文书", "村妇联主席",
                 "村民小组长", "村民小组长", "村级后备干部"]  # fmt: skip
COMMUNITY_POSTS = ["党支部书记、居委会主任", "居委会副主任", "居务监督委员会主任", "社区专职工作者",
                   "社区妇联主席", "网格员", "网格员", "社区专职工作者"]  # fmt: skip
